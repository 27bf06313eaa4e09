from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_article_status_updated_idx")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
    ]
