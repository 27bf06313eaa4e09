"""Cached bodies hold rendered cards: any change to an Embed invalidates them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from embeds.models import Embed
from embeds.rendering import bump_generation


@receiver([post_save, post_delete], sender=Embed, dispatch_uid="embeds_bump_generation")
def embed_changed(sender, **kwargs) -> None:
    bump_generation()
