"""Existing lead images move into the media library, redrawn without metadata.

Each stored ``lead_image`` file is checked and re-encoded like a new upload
(``articles.imaging``); the article then points at the library image, which
takes over its alt text, caption and credit, and the old file is deleted
once the move has committed. A file that is missing or refused stays where
it is, named in the output, for an editor to replace.
"""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import migrations, transaction


def move_lead_images(apps, schema_editor):
    from articles import images, imaging

    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    moved = []
    for article in Article.objects.exclude(lead_image="").filter(image__isnull=True).iterator():
        old_name = article.lead_image.name
        try:
            with default_storage.open(old_name, "rb") as source:
                prepared = imaging.prepare(source.read())
        except (OSError, ValidationError) as error:
            print(f"\n  Lead image of article {article.pk} left in place ({old_name}): {error}")
            continue
        name = images.store(prepared)
        image = Image.objects.create(
            file=name,
            width=prepared.width,
            height=prepared.height,
            alt=article.lead_image_alt,
            caption=article.lead_image_caption,
            credit=article.lead_image_credit,
        )
        # update(): the historical model has no save() normalisation to run.
        Article.objects.filter(pk=article.pk).update(
            image=image, lead_image="", lead_image_width=None, lead_image_height=None
        )
        moved.append(old_name)
    transaction.on_commit(lambda: images.delete_files(moved))


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_image_library")]

    operations = [migrations.RunPython(move_lead_images, migrations.RunPython.noop)]
