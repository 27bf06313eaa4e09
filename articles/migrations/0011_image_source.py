from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_search_index")]

    operations = [
        migrations.AddField(
            model_name="image",
            name="source",
            field=models.CharField(
                blank=True, editable=False, max_length=120, verbose_name="source"
            ),
        ),
        migrations.AddConstraint(
            model_name="image",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", ""), _negated=True),
                fields=("source",),
                name="image_source_unique",
            ),
        ),
    ]
