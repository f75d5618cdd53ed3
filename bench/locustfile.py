"""The load test's mix (Locust), run by bench/load.py against `make stack` through nginx.

Who does what (users by kind, fixed counts; citizens take the rest of `--users`):

- 25 call-centre agents (`Agent`): register an inquiry answered at first contact or an opinion
  through the console (`/casos/nuevo/`), open it, look at the list; 2-6 s between actions.
- 25 resolution staff (`Resolver`, TOTP second factor): register an opinion, then work it from
  its page: classify it (`clasificar`), answer it (`responder`), close it (`cerrar`); open the
  work queue; 2-6 s between actions.
- 3 managers (`Manager`, analysts, TOTP): the dashboard and the participation report; 10-20 s.
- 4 integrations (`Integration`): `POST /api/v1/cases` with the key and an Idempotency-Key, and
  a page of the list; 2-4 s.
- citizens (`Citizen`): the portal's form, a complaint with an e-mail, then tracking it with the
  code and the e-mail; 3-10 s. Their address, 127.0.0.1, is in the stack's RATE_LIMIT_EXEMPT
  (bench/load.py), as a load generator's must be: they are many people behind one address.

What the generator was told was created (console case ids, portal and API codes, each with the
unique text it sent) is written to `LOAD_RECORD` when the run ends, for bench/load.py to count
against the database.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time
import uuid
from typing import Any

from locust import HttpUser, between, events, task

CREDENTIALS: dict[str, Any] = json.loads(os.environ.get("LOAD_CREDENTIALS", "{}") or "{}")
MARK = os.environ.get("LOAD_MARK", "load")
RECORD = os.environ.get("LOAD_RECORD", "")
_lock = threading.Lock()
_numbers = itertools.count(1)
_accounts = {group: itertools.cycle(CREDENTIALS.get(group) or [{}]) for group in CREDENTIALS}
told: dict[str, list[dict[str, str]]] = {"console": [], "portal": [], "api": []}


def number() -> int:
    with _lock:
        return next(_numbers)


def account(group: str) -> dict[str, str]:
    with _lock:
        return dict(next(_accounts[group]))


def totp(key_hex: str, at: float | None = None) -> str:
    """The phone's code (RFC 6238: SHA-1, 30 s, 6 digits), as django-otp's TOTPDevice checks it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def remember(kind: str, **values: str) -> None:
    with _lock:
        told[kind].append(values)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _write_record(**_kwargs: Any) -> None:
    if RECORD:
        with open(RECORD, "w") as out:
            json.dump(told, out)


class Staff(HttpUser):
    abstract = True
    group = "agents"

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": str(self.client.cookies.get("csrftoken", ""))}

    def on_start(self) -> None:
        person = account(self.group)
        self.client.get("/cuenta/entrar/", name="/cuenta/entrar/")
        with self.client.post(
            "/cuenta/entrar/",
            data={"username": person["username"], "password": person["password"]},
            headers=self.csrf(),
            name="/cuenta/entrar/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {response.status_code}")
                return
        if "totp_key" in person:
            self.client.get("/cuenta/segundo-factor/", name="/cuenta/segundo-factor/")
            # A code is accepted once per device and 30 s step: wait for a fresh step if the
            # last login of this account used the current one.
            with self.client.post(
                "/cuenta/segundo-factor/",
                data={"token": totp(person["totp_key"]), "next": "/casos/"},
                headers=self.csrf(),
                name="/cuenta/segundo-factor/ (POST)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"second factor {response.status_code}")

    def register(self, kind: str) -> str:
        """A case through the console's form; its id, or '' if refused."""
        n = number()
        text = f"{MARK} console {kind} {n}: la persona de ventanilla me trató mal."
        data = {
            "channel": "llamada_127",
            "description": text,
            "intake_token": str(uuid.uuid4()),
        }
        if kind == "inquiry":
            data.update(
                kind="consulta",
                topic="Horarios de atención",
                answered_at_first_contact="on",
                answer="De 7:00 a 19:00 horas.",
            )
        else:
            data.update(
                kind="opinion",
                opinion_type="queja",
                dependency="Hospital General [HG]",
                limitante="Trato inadecuado del personal",
                citizen_name="María José Hernández",
                citizen_phone="7123-4567",
                citizen_email=f"maria{n}@load.invalid",
            )
        self.client.get("/casos/nuevo/", name="/casos/nuevo/")
        with self.client.post(
            "/casos/nuevo/",
            data=data,
            headers=self.csrf(),
            name=f"/casos/nuevo/ (POST {kind})",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Back to a new form, naming the case just registered.
            match = re.search(r"registered=(\d+)", response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(f"register {response.status_code}")
                return ""
        remember("console", id=match[1], text=text)
        self.client.get(f"/casos/{match[1]}/", name="/casos/[id]/")
        return match[1]


class Agent(Staff):
    fixed_count = int(os.environ.get("LOAD_AGENTS", "25"))
    group = "agents"
    wait_time = between(2, 6)

    @task(3)
    def inquiry(self) -> None:
        self.register("inquiry")

    @task(3)
    def opinion(self) -> None:
        self.register("opinion")

    @task(2)
    def case_list(self) -> None:
        self.client.get("/casos/", name="/casos/")


class Resolver(Staff):
    fixed_count = int(os.environ.get("LOAD_RESOLVERS", "25"))
    group = "resolvers"
    wait_time = between(2, 6)

    def step(self, case: str, slug: str, data: dict[str, str]) -> bool:
        with self.client.post(
            f"/casos/{case}/{slug}/",
            data=data,
            headers=self.csrf(),
            name=f"/casos/[id]/{slug}/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{slug} {response.status_code}")
                return False
        return True

    @task(4)
    def work_a_case(self) -> None:
        case = self.register("opinion")
        if not case:
            return
        if not self.step(
            case,
            "clasificar",
            {"opinion_type": "reclamo", "limitante": "trato_personal", "priority": "normal"},
        ):
            return
        self.client.get(f"/casos/{case}/", name="/casos/[id]/")
        if not self.step(case, "responder", {"answer": "Hablamos con la jefatura del servicio."}):
            return
        self.step(case, "cerrar", {"answer": "", "accepted": "yes"})

    @task(1)
    def queue(self) -> None:
        self.client.get("/casos/bandeja/", name="/casos/bandeja/")


class Manager(Staff):
    fixed_count = int(os.environ.get("LOAD_MANAGERS", "3"))
    group = "managers"
    wait_time = between(10, 20)

    @task
    def dashboard(self) -> None:
        self.client.get("/informes/tablero/", name="/informes/tablero/")

    @task
    def report(self) -> None:
        self.client.get("/informes/participacion/", name="/informes/participacion/")


class Integration(HttpUser):
    fixed_count = int(os.environ.get("LOAD_INTEGRATIONS", "4"))
    wait_time = between(2, 4)

    @task(3)
    def create(self) -> None:
        n = number()
        text = f"{MARK} api {n}: esperé cinco horas en emergencia."
        with self.client.post(
            "/api/v1/cases",
            json={
                "kind": "opinion",
                "channel": "sitio_web",
                "opinion_type": "queja",
                "dependency": "HG",
                "limitante": "tiempo_espera",
                "description": text,
                "citizen": {"name": "Marta Pérez", "email": f"marta{n}@load.invalid"},
            },
            headers={
                "Authorization": f"Bearer {CREDENTIALS.get('api_key', '')}",
                "Idempotency-Key": f"{MARK}-{n}",
            },
            name="/api/v1/cases (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"create {response.status_code}")
                return
            remember("api", code=str(response.json().get("code", "")), text=text)

    @task(1)
    def page(self) -> None:
        self.client.get(
            "/api/v1/cases?limit=20",
            headers={"Authorization": f"Bearer {CREDENTIALS.get('api_key', '')}"},
            name="/api/v1/cases",
        )


CODE = re.compile(r'id="tracking-code">([^<]+)<')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Citizen(HttpUser):
    weight = 1
    wait_time = between(3, 10)

    @task(3)
    def submit_and_track(self) -> None:
        page = self.client.get("/", name="/")
        token = CSRF_FIELD.search(page.text)
        if not token:
            return
        n = number()
        text = f"{MARK} portal {n}: esperé cinco horas en emergencia."
        email = f"ciudadana{n}@load.invalid"
        base = str(self.host)
        with self.client.post(
            "/",
            data={
                "csrfmiddlewaretoken": token[1],
                "token": str(uuid.uuid4()),
                "what": "queja",
                "dependency": "HG",
                "topic": "",
                "description": text,
                "name": "Marta Pérez",
                "dui": "",
                "phone": "7123-4567",
                "email": email,
                "website": "",
            },
            headers={"Referer": f"{base}/"},
            name="/ (POST submission)",
            catch_response=True,
        ) as response:
            code = CODE.search(response.text)
            if response.status_code != 200 or not code:
                response.failure(f"submission {response.status_code}")
                return
        remember("portal", code=code[1].strip(), text=text)
        if random.random() < 0.5:
            self.client.get("/seguimiento/", name="/seguimiento/")
            self.client.post(
                "/seguimiento/",
                data={
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                    "code": code[1].strip(),
                    "factor": email,
                },
                headers={"Referer": f"{base}/seguimiento/"},
                name="/seguimiento/ (POST)",
            )

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="/")
