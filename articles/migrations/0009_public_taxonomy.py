from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_move_lead_images"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="Show the author's page and feed before their first published article.",
                verbose_name="public before the first article",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Show the section's page, feed and menu entry before its first published "
                    "article, e.g. a new section before launch."
                ),
                verbose_name="public before the first article",
            ),
        ),
    ]
