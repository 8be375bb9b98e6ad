"""Remove an attachment's file when its row is deleted, also through a cascade from a person or email.

This is housekeeping of the file storage, not a rule of the domain: a signal is the one hook that also
sees rows deleted by a cascade, where the model's own delete() is never called.
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from clients.models import EmailAttachment


@receiver(post_delete, sender=EmailAttachment, dispatch_uid="clients_delete_attachment_file")
def delete_attachment_file(sender, instance, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        # Only once the deletion is committed: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
