"""Pure rules of the media archive, no database: the words a news item is found by, what a
clipping or recording may be (by its content), the trend's buckets, and what the case made
from an item says.

Search, on both databases, ignores case and accents and matches Spanish stems ("hospitales"
finds "Hospital", "atencion" finds "Atención"):

- PostgreSQL reads the generated column `search_vector` = to_tsvector('enlace_es',
  search_text), the configuration of the cases (unaccent, then Spanish Snowball stemming and
  stop words), through its GIN index (migration 0002);
- SQLite reads `search_stems`, the same words folded then stemmed here by the same Snowball
  algorithm (snowballstemmer), with PostgreSQL's Spanish stop words left out, each stem between
  spaces so that one stem matches whole stems only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped, unused-ignore]

from enlace.cases.rules import fold
from enlace.channels import attachments

# PostgreSQL's Spanish stop words (tsearch_data/spanish.stop, from the Snowball project), as it
# checks them: on the word after unaccent, against the list as written (so "más", accented in
# the list, is not a stop word once unaccented, exactly as in PostgreSQL).
_STOP_WORDS = """
    de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya
    o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde
    todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos
    qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
    estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosostros
    vosostras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro
    nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos esas estoy estás está
    estamos estáis están esté estés estemos estéis estén estaré estarás estará estaremos
    estaréis estarán estaría estarías estaríamos estaríais estarían estaba estabas
    estábamos estabais estaban estuve estuviste estuvo estuvimos estuvisteis estuvieron
    estuviera estuvieras estuviéramos estuvierais estuvieran estuviese estuvieses
    estuviésemos estuvieseis estuviesen estando estado estada estados estadas estad he has ha
    hemos habéis han haya hayas hayamos hayáis hayan habré habrás habrá habremos habréis
    habrán habría habrías habríamos habríais habrían había habías habíamos habíais habían
    hube hubiste hubo hubimos hubisteis hubieron hubiera hubieras hubiéramos hubierais
    hubieran hubiese hubieses hubiésemos hubieseis hubiesen habiendo habido habida habidos
    habidas soy eres es somos sois son sea seas seamos seáis sean seré serás será seremos
    seréis serán sería serías seríamos seríais serían era eras éramos erais eran fui fuiste
    fue fuimos fuisteis fueron fuera fueras fuéramos fuerais fueran fuese fueses fuésemos
    fueseis fuesen sintiendo sentido sentida sentidos sentidas siente sentid tengo tienes
    tiene tenemos tenéis tienen tenga tengas tengamos tengáis tengan tendré tendrás tendrá
    tendremos tendréis tendrán tendría tendrías tendríamos tendríais tendrían tenía tenías
    teníamos teníais tenían tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras
    tuviéramos tuvierais tuvieran tuviese tuvieses tuviésemos tuvieseis tuviesen teniendo
    tenido tenida tenidos tenidas tened
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 12  # more words than a person types; the rest are ignored


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("spanish")


def words(text: str) -> list[str]:
    """The folded words of `text` (lower case, no accents), stop words left out."""
    return [word for word in WORD.findall(fold(text)) if word not in STOP_WORDS]


def stems(text: str) -> list[str]:
    """The Spanish stems of the words of `text`, each once, in order of appearance."""
    found = _stemmer().stemWords(words(text))
    return list(dict.fromkeys(found))


def search_text(headline: str, summary: str, outlet_name: str) -> str:
    """What PostgreSQL's `search_vector` is made of: the words folded."""
    return fold(" ".join(part for part in (headline, summary, outlet_name) if part))


def search_stems(headline: str, summary: str, outlet_name: str) -> str:
    """What SQLite searches: each stem once, between spaces (" hospital atencion ")."""
    found = stems(" ".join(part for part in (headline, summary, outlet_name) if part))
    return f" {' '.join(found)} " if found else ""


def query_words(query: str) -> list[str]:
    """The words a search looks for, folded, stop words left out (at most MAX_QUERY_WORDS)."""
    return words(query)[:MAX_QUERY_WORDS]


def query_stems(query: str) -> list[str]:
    """The stems a search on SQLite looks for, each between spaces in `search_stems`."""
    return list(dict.fromkeys(_stemmer().stemWords(query_words(query))))


# --- Clippings and recordings ----------------------------------------------------------------
class Kind:
    DOCUMENT = "document"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


# Content types accepted (as sniffed from the first bytes), the extension each is stored under,
# and what kind of file it is.
ALLOWED: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", Kind.DOCUMENT),
    "image/jpeg": ("jpg", Kind.IMAGE),
    "image/png": ("png", Kind.IMAGE),
    "image/webp": ("webp", Kind.IMAGE),
    "image/gif": ("gif", Kind.IMAGE),
    "audio/mpeg": ("mp3", Kind.AUDIO),
    "audio/mp4": ("m4a", Kind.AUDIO),
    "audio/aac": ("aac", Kind.AUDIO),
    "audio/ogg": ("ogg", Kind.AUDIO),
    "audio/x-wav": ("wav", Kind.AUDIO),
    "audio/x-flac": ("flac", Kind.AUDIO),
    "video/mp4": ("mp4", Kind.VIDEO),
    "video/webm": ("webm", Kind.VIDEO),
    "video/quicktime": ("mov", Kind.VIDEO),
    "video/mpeg": ("mpg", Kind.VIDEO),
}
SNIFF_BYTES = 8192  # enough for every signature filetype reads (it needs 262 bytes)
# A browser may show these in the page; anything else is downloaded.
SHOWN_INLINE = (Kind.DOCUMENT, Kind.IMAGE, Kind.AUDIO, Kind.VIDEO)


def sniff(head: bytes) -> str | None:
    """The accepted content type of a file whose first bytes are `head`; None for anything
    else (an executable, a web page, a word-processor file, text), whatever its name says."""
    return attachments.sniff(head, ALLOWED)


def kind_of(content_type: str) -> str:
    return ALLOWED[content_type][1] if content_type in ALLOWED else ""


def safe_file_name(name: str) -> str:
    """The name a file is offered for download under: no path, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"').strip()
    return cleaned[:200] or "recorte"


# --- The trend -------------------------------------------------------------------------------
WEEKLY_UP_TO_DAYS = 92  # a period of up to about three months is shown by week, else by month


class Unit:
    WEEK = "week"
    MONTH = "month"


def trend_unit(start: date, end: date) -> str:
    return Unit.WEEK if (end - start).days < WEEKLY_UP_TO_DAYS else Unit.MONTH


def bucket_of(day: date, unit: str) -> date:
    """The first day of the week (Monday) or month `day` falls in."""
    if unit == Unit.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(start: date, end: date, unit: str) -> list[date]:
    """Every week or month from the one of `start` to the one of `end`, empty ones included."""
    found = []
    current = bucket_of(start, unit)
    while current <= end:
        found.append(current)
        if unit == Unit.WEEK:
            current += timedelta(days=7)
        elif current.month == 12:
            current = current.replace(year=current.year + 1, month=1)
        else:
            current = current.replace(month=current.month + 1)
    return found


# --- From a news item to a case --------------------------------------------------------------
# The case file is kept in the institute's language whatever the language of the person who
# registers it, as the demo data and the OIR's resolutions are: these words are data, not
# interface.
MEDIUM_IN_SPANISH = {
    "press": "prensa escrita",
    "tv": "televisión",
    "radio": "radio",
    "digital": "medio digital",
    "social": "red social",
}


@dataclass(frozen=True)
class Publication:
    """What the case made from a news item says about it."""

    outlet: str
    medium: str  # a Medium value
    published_on: date
    headline: str
    summary: str
    url: str
    spokesperson: str = ""
    authority: str = ""


def case_description(item: Publication) -> str:
    """The description of the opinion case registered from a news item: where and when it was
    published, its headline, summary and link."""
    medium = MEDIUM_IN_SPANISH.get(item.medium, item.medium)
    lines = [
        f"Publicado en {item.outlet} ({medium}) el {item.published_on:%d/%m/%Y}:",
        f"«{item.headline.strip()}»",
    ]
    if item.summary.strip():
        lines += ["", item.summary.strip()]
    if item.authority.strip():
        lines += ["", f"Autoridad mencionada: {item.authority.strip()}"]
    if item.spokesperson.strip():
        lines.append(f"Vocero: {item.spokesperson.strip()}")
    if item.url.strip():
        lines += ["", f"Enlace: {item.url.strip()}"]
    return "\n".join(lines)
