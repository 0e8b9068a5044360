"""The webhook dispatcher: claims due deliveries from the outbox, signs and sends them."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Engine

from core.clock import Clock
from core.config import CoreSettings
from handoff.config import HandoffSettings
from handoff.exceptions import UnsafeURLError
from handoff.outbox import (
    ClaimedDelivery,
    claim_due,
    disable_endpoint,
    record_failure,
    record_success,
)
from handoff.signing import webhook_headers
from handoff.urlsafety import Resolver, check_url, resolve_host
from handoff.webhooks import render_body

log = logging.getLogger("baton.dispatcher")


class Dispatcher:
    """Delivers outbox events to webhook endpoints, at least once, from background threads."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        settings: HandoffSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = resolve_host,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self._resolver = resolver
        self._rng = rng or random.Random()
        self._transport = transport
        self._client = self._new_client()
        self._stop = threading.Event()
        self._slots = threading.Condition()
        self._busy = 0
        self._poller: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    def deliver_due(self, limit: int | None = None) -> int:
        """Claim due deliveries and send them in this thread; return how many were tried."""
        claimed = claim_due(
            self.engine,
            now=self.clock.now(),
            lease_seconds=self.settings.dispatcher_lease_seconds,
            limit=limit or self.settings.dispatcher_batch,
        )
        for delivery in claimed:
            self.deliver(delivery)
        return len(claimed)

    def deliver(self, claimed: ClaimedDelivery) -> str:
        """Send one claimed delivery and record the outcome; return the delivery's new status."""
        try:
            response = self._post(claimed)
        except UnsafeURLError as exc:
            return self._fail(claimed, None, f"refused at send time: {exc}")
        except httpx.HTTPError as exc:
            return self._fail(claimed, None, f"{type(exc).__name__}: {exc}")
        code = response.status_code
        if 200 <= code < 300:
            if not record_success(self.engine, claimed, now=self.clock.now(), status_code=code):
                log.warning("delivery %s was sent after its claim expired", claimed.id)
            return "succeeded"
        if code == 410:
            reason = f"endpoint answered 410 Gone at {self.clock.now().isoformat()}"
            disable_endpoint(self.engine, claimed, now=self.clock.now(), reason=reason)
            return "failed"
        if 300 <= code < 400:
            error = f"HTTP {code}: redirect to {response.headers.get('location')!r} not followed"
        else:
            error = f"HTTP {code}: {response.text[:300]}"
        return self._fail(claimed, code, error, _retry_after(response, self.clock.now()))

    def start(self) -> None:
        """Start delivering in background threads until `stop()`."""
        if self._poller is not None:
            return
        if self._client.is_closed:  # restarted after a stop (a second app on the same services)
            self._client = self._new_client()
        self._stop.clear()
        self._pool = ThreadPoolExecutor(
            self.settings.dispatcher_workers, thread_name_prefix="baton-webhook"
        )
        self._poller = threading.Thread(target=self._poll, name="baton-dispatcher", daemon=True)
        self._poller.start()

    def stop(self) -> None:
        """Stop claiming, let in-flight deliveries finish, and release the HTTP client."""
        self._stop.set()
        with self._slots:
            self._slots.notify_all()
        if self._poller is not None:
            self._poller.join(timeout=self.settings.webhook_timeout_seconds + 5)
            self._poller = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._client.close()

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.settings.webhook_timeout_seconds,
            follow_redirects=False,
            transport=self._transport,
            trust_env=False,  # a proxy from the environment would defeat the address checks
        )

    def _poll(self) -> None:
        workers = self.settings.dispatcher_workers
        while not self._stop.is_set():
            with self._slots:
                while self._busy >= workers and not self._stop.is_set():
                    self._slots.wait(0.5)
                free = workers - self._busy
            if self._stop.is_set():
                return
            try:
                claimed = claim_due(
                    self.engine,
                    now=self.clock.now(),
                    lease_seconds=self.settings.dispatcher_lease_seconds,
                    limit=min(free, self.settings.dispatcher_batch),
                )
            except Exception:  # the database may be restarting; try again on the next tick
                log.exception("claiming webhook deliveries failed")
                claimed = []
            if not claimed:
                self._stop.wait(self.settings.dispatcher_poll_seconds)
                continue
            with self._slots:
                self._busy += len(claimed)
            assert self._pool is not None
            for delivery in claimed:
                self._pool.submit(self._deliver_and_release, delivery)

    def _deliver_and_release(self, claimed: ClaimedDelivery) -> None:
        try:
            self.deliver(claimed)
        except Exception:  # its claim expires and another pass retries it
            log.exception("delivering %s failed unexpectedly", claimed.id)
        finally:
            with self._slots:
                self._busy -= 1
                self._slots.notify_all()

    def _post(self, claimed: ClaimedDelivery) -> httpx.Response:
        # Resolve and check now, then connect to the checked address: a host that
        # re-resolves to an internal address after registration (DNS rebinding) is refused.
        addresses = check_url(
            claimed.url,
            allow_loopback=self.settings.webhook_allow_loopback,
            allow_private=self.settings.webhook_allow_private,
            resolver=self._resolver,
        )
        url = httpx.URL(claimed.url)
        body = render_body(claimed.format, claimed.payload, self.settings.public_url)
        timestamp = int(self.clock.now().timestamp())
        headers = webhook_headers(claimed.secrets, claimed.event_id, timestamp, body)
        headers["host"] = url.netloc.decode("ascii")
        headers["user-agent"] = "Baton-Webhooks/1"
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = self._client.build_request(
            "POST",
            url.copy_with(host=str(addresses[0])),
            content=body,
            headers=headers,
            extensions=extensions,
        )
        return self._client.send(request)

    def _fail(
        self,
        claimed: ClaimedDelivery,
        code: int | None,
        error: str,
        retry_after: float | None = None,
    ) -> str:
        return record_failure(
            self.engine,
            claimed,
            now=self.clock.now(),
            status_code=code,
            error=error,
            retry_after=retry_after,
            rng=self._rng,
        )


def _retry_after(response: httpx.Response, now: datetime) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def build_dispatcher(settings: CoreSettings, engine: Engine, clock: Clock) -> Dispatcher:
    """Build the dispatcher for the app from the `BATON_*` handoff settings."""
    return Dispatcher(engine, clock, HandoffSettings())
