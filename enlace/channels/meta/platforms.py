"""The settings of each platform, read when needed (so tests may change them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

WHATSAPP = "whatsapp"
FACEBOOK = "facebook"
CODES = (WHATSAPP, FACEBOOK)
LABELS = {WHATSAPP: "WhatsApp", FACEBOOK: "Facebook"}


@dataclass(frozen=True)
class Platform:
    code: str
    verify_token: str
    app_secret: str
    access_token: str
    # Who sends: WhatsApp's phone number id, Messenger's page id ("me" when not given).
    sender_id: str

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def receives(self) -> bool:
        """Its webhook is on: without both, nothing could be checked, so it answers 404."""
        return bool(self.verify_token and self.app_secret)

    @property
    def sends(self) -> bool:
        return bool(self.access_token and self.sender_id)


def platform(code: str) -> Platform:
    if code == WHATSAPP:
        return Platform(
            code=code,
            verify_token=settings.WHATSAPP_VERIFY_TOKEN,
            app_secret=settings.WHATSAPP_APP_SECRET,
            access_token=settings.WHATSAPP_ACCESS_TOKEN,
            sender_id=settings.WHATSAPP_PHONE_NUMBER_ID,
        )
    if code == FACEBOOK:
        return Platform(
            code=code,
            verify_token=settings.FACEBOOK_VERIFY_TOKEN,
            app_secret=settings.FACEBOOK_APP_SECRET,
            access_token=settings.FACEBOOK_ACCESS_TOKEN,
            sender_id=settings.FACEBOOK_PAGE_ID or "me",
        )
    raise ValueError(f"no Meta platform {code!r}")
