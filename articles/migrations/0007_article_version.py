from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_state_checks_and_indexes")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
    ]
