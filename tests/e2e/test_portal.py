"""The portal in a real browser (Debian's Chromium): list, search, open, edit, contacts, SLA."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Download, Locator, Page, async_playwright, expect

from msc_local.tokens import mint
from msc_testkit.kafka import eventually, publish
from tests.e2e.conftest import System
from tests.e2e.test_backup_job_journey import NEW_CUSTOMER

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not await asyncio.to_thread(CHROMIUM.exists):
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_customer(gateway: httpx.AsyncClient, system: System, name: str) -> str:
    """The id of a customer just created through the API under `name`."""
    body = {**NEW_CUSTOMER, "account": {**NEW_CUSTOMER["account"], "name": name}}
    created = await gateway.post("/api/v1/customers", json=body, headers=system.headers())
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def sign_in(page: Page, system: System, token: str | None = None) -> None:
    await page.goto(f"{system.gateway_url}/")
    await page.get_by_label("Token", exact=True).fill(token or system.token("msp_admin"))
    await page.get_by_role("button", name="Sign in").click()


async def reload_until(page: Page, landed: Callable[[], Awaitable[bool]]) -> None:
    """Reload `page` until `landed()` (which may wait for the page to settle first): what
    agents publish reaches the page through Kafka, a moment later."""
    for _ in range(30):
        if await landed():
            return
        await page.wait_for_timeout(500)
        await page.reload()


async def edit_account(page: Page, system: System, customer_id: str) -> Locator:
    """The customer's Account Details card, open for editing."""
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")
    account = page.locator("#card-account")
    await account.get_by_role("button", name="Edit").click()
    return account


def agent_event(
    customer_id: str, kind: str, minutes_ago: int, data: dict[str, Any]
) -> dict[str, Any]:
    time = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=minutes_ago)
    return {
        "specversion": "1.0",
        "id": f"ev-{uuid.uuid4().hex}",
        "source": "urn:msc:agent:ag-1",
        "type": kind,
        "time": time.isoformat(),
        "customerid": customer_id,
        "data": data,
    }


async def test_an_msp_admin_works_through_the_customer_details_page(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    for name in (f"Portal {tag} Alpha", f"Portal {tag} Beta"):
        body = {**NEW_CUSTOMER, "account": {**NEW_CUSTOMER["account"], "name": name}}
        created = await gateway.post("/api/v1/customers", json=body, headers=system.headers())
        assert created.status_code == 201, created.text
    customer_id = created.json()["id"]  # Beta

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    await page.get_by_label("Search customers").fill(f"{tag} beta")
    rows = page.locator("#customers tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(f"Portal {tag} Beta")
    await rows.first.click()
    await expect(page.get_by_role("heading", name=f"Portal {tag} Beta")).to_be_visible()

    account = page.locator("#card-account")
    await account.get_by_role("button", name="Edit").click()
    await page.locator("#account-phone").fill("12345")
    await account.get_by_role("button", name="Save").click()
    await expect(page.locator("#account-phone-error")).to_contain_text("E.164")
    await page.locator("#account-phone").fill("+14155550123")
    await account.get_by_role("button", name="Save").click()
    await expect(page.locator("#flash")).to_contain_text("Account Details saved")
    await expect(page.locator("#card-account")).to_contain_text("+14155550123")

    contacts = page.locator("#card-contacts")
    await page.locator("#contact-name").fill("Sam Roe")
    await page.locator("#contact-email").fill("not-an-email")
    await contacts.get_by_role("button", name="Add contact").click()
    await expect(page.locator("#contact-email-error")).to_contain_text("valid email")
    await page.locator("#contact-email").fill("sam@acme.example")
    await page.locator("#card-contacts").get_by_role("button", name="Add contact").click()
    sam = page.locator("#card-contacts tbody tr", has_text="Sam Roe")
    await expect(sam).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    await sam.get_by_role("button", name="Delete").click()
    await expect(page.locator("#card-contacts tbody tr", has_text="Sam Roe")).to_have_count(0)
    await expect(page.locator("#card-contacts")).to_contain_text("Dana Lee")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "summary-tab.png"), full_page=True)

    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=3)
    base = {"specversion": "1.0", "source": "urn:msc:agent:ag-1", "customerid": customer_id}
    upserted = {
        "backup_set_id": "bs-hq",
        "name": "HQ file server",
        "workload": "File Server",
        "rpo_hours": 1,
    }
    job = {
        "job_id": "job-7",
        "backup_set_id": "bs-hq",
        "job_type": "backup",
        "status": "successful",
        "ended_at": ended.isoformat(),
        "started_at": (ended - dt.timedelta(minutes=30)).isoformat(),
    }
    day_before = (ended - dt.timedelta(days=1)).isoformat()
    await publish(
        system.kafka,
        "backup.sets",
        [
            base
            | {
                "id": f"s-{tag}",
                "type": "com.msc.backup_set.upserted.v1",
                "time": day_before,
                "data": upserted,
            }
        ],
    )
    await publish(
        system.kafka,
        "backup.jobs",
        [
            base
            | {
                "id": f"j-{tag}",
                "type": "com.msc.backup.job.v1",
                "time": ended.isoformat(),
                "data": job,
            }
        ],
    )

    await page.get_by_role("link", name="SLA").click()
    row = page.locator("#backup-sets tbody tr", has_text="HQ file server")

    async def landed() -> bool:  # both events travel through Kafka (two topics)
        return bool(await row.count()) and "breached" in await row.first.inner_text()

    await reload_until(page, landed)
    await expect(row).to_contain_text("breached")
    await expect(row).to_contain_text("successful")
    await page.get_by_role("button", name="30d").click()
    await expect(page.locator(".switch button.active")).to_have_text("30d")
    await page.screenshot(path=str(SCREENSHOTS / "sla-tab.png"), full_page=True)
    await page.close()


async def test_the_service_plan_reads_as_an_operator_thinks_of_it(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Plan {uuid.uuid4().hex[:6]}")
    regions = (await gateway.get("/api/v1/storage-regions", headers=system.headers())).json()
    assert "us-east-1" in regions["items"] and len(regions["items"]) > 1

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")
    plan = page.locator("#card-service-plan")
    await expect(plan).to_contain_text("Commercial")  # labels, not the contract's words
    await expect(plan).to_contain_text("Enterprise")
    await expect(plan).to_contain_text(re.compile(r"2027-06-30 \(expires in \d+ days\)"))
    await expect(plan).to_contain_text("5,000 (0.0 % used in the last 90 days)")

    await plan.get_by_role("button", name="Edit").click()
    region = page.locator("#service-plan-storage_region")
    options = await region.locator("option").evaluate_all("(all) => all.map((o) => o.value)")
    assert options == regions["items"]  # the choices the API publishes
    other = next(r for r in regions["items"] if r != "us-east-1")
    await region.select_option(other)
    await plan.get_by_role("button", name="Save").click()
    await expect(page.locator("#flash")).to_contain_text("Service Plan saved")
    await page.reload()
    await expect(page.locator("#card-service-plan")).to_contain_text(other)
    await page.close()


async def test_the_activity_shows_who_changed_what_and_when(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Audit {uuid.uuid4().hex[:6]}")
    page = await browser.new_page(viewport={"width": 1280, "height": 1400})
    await sign_in(page, system, mint(system.jwt_secret, "msp_admin", "dana.ops@msp.example"))
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")
    activity = page.locator("#card-activity")
    await expect(activity.locator("tbody tr")).to_have_count(1)
    await expect(activity).to_contain_text("Created the customer")
    await expect(activity).to_contain_text("test-msp_admin")  # who created it through the API

    plan = page.locator("#card-service-plan")
    await plan.get_by_role("button", name="Edit").click()
    await page.locator("#service-plan-credit_quota").fill("6500")
    await plan.get_by_role("button", name="Save").click()
    await expect(page.locator("#flash")).to_contain_text("Service Plan saved")
    await page.reload()
    newest = page.locator("#card-activity tbody tr").first
    await expect(newest).to_contain_text("dana.ops@msp.example")
    await expect(newest).to_contain_text("Edited the service plan")
    await expect(newest).to_contain_text("service_plan.credit_quota: 5000 → 6500")
    await expect(page.locator("#card-activity tbody tr")).to_have_count(2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await activity.screenshot(path=str(SCREENSHOTS / "activity.png"))
    await page.close()


async def test_a_contact_is_edited_in_place_with_errors_beside_its_fields(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Contacts {uuid.uuid4().hex[:6]}")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")
    dana = page.locator("#card-contacts tbody tr", has_text="Dana Lee")
    await dana.get_by_role("button", name="Edit").click()
    editing = page.locator("#card-contacts tr.editing")
    await editing.get_by_label("Email").fill("dana-at-acme")
    await editing.get_by_role("button", name="Save").click()
    await expect(editing.locator("[id$='-email-error']")).to_contain_text("valid email")
    await editing.get_by_label("Email").fill("dana.lee@acme.example")
    await editing.get_by_label("Phone (E.164)").fill("+14155550999")
    await editing.get_by_role("button", name="Save").click()
    await expect(page.locator("#flash")).to_contain_text("Contact saved")
    await page.reload()
    saved = page.locator("#card-contacts tbody tr", has_text="Dana Lee")
    await expect(saved).to_contain_text("dana.lee@acme.example")
    await expect(saved).to_contain_text("+14155550999")
    await page.close()


async def test_an_msp_admin_adds_a_customer_from_the_list(system: System, browser: Browser) -> None:
    name = f"Added {uuid.uuid4().hex[:6]}"
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await page.get_by_role("button", name="Add customer").click()
    form = page.locator("#new-customer")
    await form.get_by_role("button", name="Create customer").click()
    await expect(page.locator("#new-account-name-error")).not_to_be_empty()  # required
    await page.get_by_label("Account name").fill(name)
    await page.get_by_label("Plan", exact=True).fill("Standard")
    await page.get_by_label("Phone (E.164)").fill("555")
    await page.get_by_label("Tenant type").select_option(label="Evaluation")
    await form.get_by_role("button", name="Create customer").click()
    await expect(page.locator("#new-account-phone-error")).to_contain_text("E.164")
    await expect(page.locator("#new-account-name-error")).to_be_empty()
    await page.get_by_label("Phone (E.164)").fill("+14155550142")
    await form.get_by_role("button", name="Create customer").click()
    await expect(page.locator("#flash")).to_contain_text(f"Customer {name} created")
    await page.locator("#flash").get_by_role("link", name="open it").click()
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    await expect(page.locator("#card-service-plan")).to_contain_text("Evaluation")
    await page.reload()
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    await page.close()


async def test_the_consumption_chart_has_axes_both_series_the_quota_and_a_table(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Usage {uuid.uuid4().hex[:6]}")
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reports = [
        agent_event(
            customer_id,
            "com.msc.usage.daily.v1",
            ago * 24 * 60,
            {
                "date": (today - dt.timedelta(days=ago)).date().isoformat(),
                "credits_consumed": 100.0 * (ago + 1),
                "storage_bytes": 10**9 * (50 - ago),
            },
        )
        for ago in (40, 20, 2)
    ]
    await publish(system.kafka, "backup.usage", reports)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    card = page.locator("#card-consumption")
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")

    async def charted() -> bool:  # the reports travel through Kafka
        await expect(card).to_be_visible()
        return await card.locator("rect.credits").count() == 3

    await reload_until(page, charted)
    await expect(card.locator("rect.credits")).to_have_count(3)  # credits per day
    await expect(card.locator("polyline.storage")).to_have_count(1)  # storage in use
    await expect(card.locator("line.quota")).to_have_count(1)  # the plan's 5,000 credits a 90 days
    await expect(card.locator("text.tick")).not_to_have_count(0)  # axes with their values
    await card.get_by_text("Figures by day").click()
    rows = card.locator("#usage-table tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.last).to_contain_text("6,500")  # 4,100 + 2,100 + 300, oldest first
    await page.close()


async def test_the_list_badges_a_plan_about_to_expire_or_near_its_quota(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    name = f"Badges {uuid.uuid4().hex[:6]}"
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    body = {**NEW_CUSTOMER, "account": {**NEW_CUSTOMER["account"], "name": name}}
    body["service_plan"] = {
        **NEW_CUSTOMER["service_plan"],
        "expiry_date": (today + dt.timedelta(days=10)).date().isoformat(),
    }
    created = await gateway.post("/api/v1/customers", json=body, headers=system.headers())
    customer_id = created.json()["id"]
    usage = agent_event(
        customer_id,
        "com.msc.usage.daily.v1",
        0,
        {"date": today.date().isoformat(), "credits_consumed": 4600.0, "storage_bytes": 1},
    )
    await publish(system.kafka, "backup.usage", [usage])
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    row = page.locator("#customers tbody tr", has_text=name)

    async def badged() -> bool:  # the report travels through Kafka
        await page.get_by_label("Search customers").fill(name)
        await expect(row).to_be_visible()
        return "Credits" in await row.locator(".plan-health").inner_text()

    await reload_until(page, badged)
    health = row.locator(".plan-health")
    await expect(health).to_contain_text("Expires in 10 d")
    await expect(health).to_contain_text("Credits 92 %")  # 4,600 of the quota's 5,000
    await page.reload()
    await page.get_by_label("Search customers").fill(name)
    await expect(row.locator(".plan-health")).to_contain_text("Credits 92 %")
    await page.close()


def alert_raised(
    customer_id: str, alert_id: str, severity: str, minutes_ago: int
) -> dict[str, Any]:
    data = {
        "alert_id": alert_id,
        "severity": severity,
        "alert_type": "backup_failed",
        "message": f"{severity} trouble on the file server",
        "backup_set_id": "bs-files",
    }
    return agent_event(customer_id, "com.msc.alert.raised.v1", minutes_ago, data)


async def test_an_msp_admin_filters_open_alerts_and_acknowledges_one(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Alerts {uuid.uuid4().hex[:6]}")
    await publish(
        system.kafka,
        "backup.alerts",
        [
            alert_raised(customer_id, "al-crit", "critical", 30),
            alert_raised(customer_id, "al-warn", "warning", 10),
        ],
    )
    page = await browser.new_page(viewport={"width": 1280, "height": 1200})
    await sign_in(page, system, mint(system.jwt_secret, "msp_admin", "dana.ops@msp.example"))
    rows = page.locator("#alerts tbody tr[data-alert]")
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/sla?window=7d")

    async def listed() -> bool:  # the alerts travel through Kafka, their states written last
        await expect(page.locator("#card-alerts")).to_be_visible()
        await expect(page.locator("#alerts .loading")).to_have_count(0)
        texts = await rows.all_inner_texts()
        return len(texts) == 2 and all("trouble" in text for text in texts)

    await reload_until(page, listed)
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("warning trouble")  # newest first
    await page.locator("#alert-severity").select_option("critical")
    await expect(rows).to_have_count(1)
    critical = page.locator("#alerts tr[data-alert='al-crit']")
    await expect(critical).to_contain_text("backup_failed")
    await expect(critical).to_contain_text("bs-files")
    await critical.get_by_role("button", name="Acknowledge").click()
    await expect(critical).to_contain_text("Acknowledged by dana.ops@msp.example")

    async def acknowledged() -> bool:  # applied through backup.alerts
        await expect(page.locator("#alerts .loading")).to_have_count(0)
        return bool(await critical.get_by_text("Acknowledged by").count())

    await page.reload()  # not the page's own word for it: what the server applied
    await reload_until(page, acknowledged)
    await expect(critical).to_contain_text("Acknowledged by dana.ops@msp.example")
    await expect(critical.get_by_role("button", name="Acknowledge")).to_have_count(0)
    await expect(page.locator("#alert-severity")).to_have_value("critical")  # kept on reload
    await expect(rows).to_have_count(1)
    await page.locator("#alert-severity").select_option("")
    await expect(rows).to_have_count(2)
    warning = page.locator("#alerts tr[data-alert='al-warn']")
    await expect(warning.get_by_role("button", name="Acknowledge")).to_be_visible()
    await expect(page.locator(".stat").filter(has_text="Alerts")).to_contain_text(
        "critical: 1 open (1 acknowledged)"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#card-alerts").screenshot(path=str(SCREENSHOTS / "alerts.png"))
    await page.close()

    viewer = await browser.new_page()
    await sign_in(viewer, system, system.token("customer_viewer", customer_id))
    await viewer.goto(f"{system.gateway_url}/#/customers/{customer_id}/sla?window=7d")
    await expect(viewer.locator("#alerts tr[data-alert]")).to_have_count(2)
    await expect(viewer.get_by_role("button", name="Acknowledge")).to_have_count(0)
    await viewer.close()


async def test_the_backup_set_table_says_why_a_backup_failed_and_sorts_and_filters(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Sets {uuid.uuid4().hex[:6]}")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    upserted = "com.msc.backup_set.upserted.v1"
    sets = [
        agent_event(
            customer_id,
            upserted,
            600,
            {"backup_set_id": s, "name": n, "workload": "VMware", "rpo_hours": r},
        )
        for s, n, r in (("bs-a", "Files", 24), ("bs-b", "SQL", 1), ("bs-c", "Mail", 24))
    ]

    def backup(
        job_id: str, set_id: str, status: str, ended_ago: int, **extra: Any
    ) -> dict[str, Any]:
        ended = (now - dt.timedelta(minutes=ended_ago)).isoformat()
        started = (now - dt.timedelta(minutes=ended_ago + 20)).isoformat()
        data = {
            "job_id": job_id,
            "backup_set_id": set_id,
            "job_type": "backup",
            "status": status,
            "started_at": started,
            "ended_at": ended,
        } | extra
        return agent_event(customer_id, "com.msc.backup.job.v1", ended_ago, data)

    jobs = [
        backup("j1", "bs-a", "successful", 30),
        backup("j2", "bs-b", "successful", 300, bytes_transferred=2000),  # RPO 1 h: breached
        backup(
            "j3", "bs-b", "failed", 20, error_code="E_DISK", error_message="disk full on /backup"
        ),
    ]
    await publish(system.kafka, "backup.sets", sets)
    await publish(system.kafka, "backup.jobs", jobs)
    page = await browser.new_page(viewport={"width": 1400, "height": 1200})
    await sign_in(page, system)
    rows = page.locator("#backup-sets tbody tr[data-set]")
    sql = page.locator("#backup-sets tr[data-set='bs-b']")
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/sla?window=7d")

    async def applied() -> bool:  # the events travel through Kafka
        await expect(page.locator("#card-alerts")).to_be_visible()
        return await rows.count() == 3 and "E_DISK" in await sql.inner_text()

    await reload_until(page, applied)
    await expect(sql).to_contain_text("E_DISK: disk full on /backup")

    async def history_written() -> bool:  # the set's history is written after its figures
        answer = await gateway.get(
            f"/api/v1/customers/{customer_id}/jobs",
            params={"backup_set_id": "bs-b"},
            headers=system.headers("msp_viewer"),
        )
        return len(answer.json()["items"]) == 2

    await eventually(history_written)
    await sql.get_by_role("button", name="Job history of SQL").click()
    history = page.locator("tr.job-history[data-history='bs-b']")
    await expect(history.locator("tr[data-job]")).to_have_count(2)
    await expect(history.locator("tr[data-job]").first).to_contain_text("E_DISK disk full")
    await expect(history.locator("tr[data-job='j2']")).to_contain_text("successful")
    await expect(history.locator("tr[data-job='j2']")).to_contain_text("2.0 KB")
    await sql.get_by_role("button", name="Job history of SQL").click()
    await expect(history).to_have_count(0)

    await page.locator("#set-sort").select_option("rpo_status")
    await expect(rows.first).to_have_attribute("data-set", "bs-b")  # breached first
    await expect(rows.nth(1)).to_have_attribute("data-set", "bs-c")  # then never backed up
    await page.locator("#set-filter").select_option("never")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Mail")
    await page.reload()  # the order and the filter are in the address
    await expect(page.locator("#set-filter")).to_have_value("never")
    await expect(rows).to_have_count(1)
    await page.locator("#set-filter").select_option("")
    await page.locator("#set-sort").select_option("-name")
    await expect(rows).to_have_count(3)
    names = await rows.locator(".set-name").all_inner_texts()
    assert names == ["SQL", "Mail", "Files"]
    async with page.expect_download() as exported:  # the whole table, with its failures
        await page.get_by_role("button", name="Export CSV").click()
    lines = await downloaded_lines(await exported.value)
    assert lines[0].startswith("backup_set_id,name,") and len(lines) == 4
    assert any(line.startswith("bs-b,SQL,") and "E_DISK" in line for line in lines)
    await page.close()


async def downloaded_lines(download: Download) -> list[str]:
    path = Path(await download.path())
    return (await asyncio.to_thread(path.read_text)).splitlines()


async def test_the_customers_list_exports_as_csv(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    customer_id = await new_customer(gateway, system, f"Export {tag}")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await page.get_by_label("Search customers").fill(tag)
    rows = page.locator("#customers tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(f"Export {tag}")  # the search applied, not loading
    async with page.expect_download() as listed:
        await page.get_by_role("button", name="Export CSV").click()
    lines = await downloaded_lines(await listed.value)
    assert lines[0].startswith("id,name,customer_name") and lines[0].endswith("sla_health")
    assert len(lines) == 2 and lines[1].startswith(f"{customer_id},Export {tag},")

    await page.close()


async def test_a_stale_edit_shows_the_current_values_and_says_so(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Stale {uuid.uuid4().hex[:6]}")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    account = await edit_account(page, system, customer_id)
    meanwhile = await gateway.patch(
        f"/api/v1/customers/{customer_id}/account",
        json={"address": "1 Elsewhere Rd"},
        headers=system.headers() | {"If-Match": "*"},
    )
    assert meanwhile.status_code == 200, meanwhile.text
    await page.locator("#account-address").fill("2 Mine St")
    await account.get_by_role("button", name="Save").click()
    await expect(page.locator("#flash")).to_contain_text("Someone else changed this customer")
    await expect(page.locator("#card-account")).to_contain_text("1 Elsewhere Rd")
    await page.close()


async def test_an_expired_token_asks_for_a_new_one_and_keeps_the_form(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Expiring {uuid.uuid4().hex[:6]}")
    short = mint(system.jwt_secret, "msp_admin", "short", ttl=dt.timedelta(seconds=4))
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system, short)
    account = await edit_account(page, system, customer_id)
    await page.locator("#account-address").fill("3 Patient Way")
    await page.wait_for_timeout(5000)  # the token expires while the form is filled in
    await account.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog", name="Sign in again")
    await expect(dialog).to_be_visible()
    await expect(page.locator("#account-address")).to_have_value("3 Patient Way")  # still there
    await dialog.get_by_label("New token").fill(system.token("msp_admin"))
    await dialog.get_by_role("button", name="Continue").click()
    await expect(page.locator("#flash")).to_contain_text("Account Details saved")
    await expect(page.locator("#card-account")).to_contain_text("3 Patient Way")
    await page.close()


async def test_a_customer_viewer_sees_only_its_own_customer(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    name = f"Own {uuid.uuid4().hex[:6]}"
    own = await new_customer(gateway, system, name)
    page = await browser.new_page()
    await sign_in(page, system, system.token("customer_viewer", own))
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    await expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(page.get_by_role("link", name="← Customers")).to_have_count(0)  # no dead links
    await expect(page.locator("#card-contacts")).to_be_visible()
    await expect(page.locator("#card-activity")).to_have_count(0)  # MSP staff only
    await expect(page.locator(".brand")).to_have_attribute("href", f"#/customers/{own}/summary")
    await page.goto(f"{system.gateway_url}/#/customers/c-someone-else/summary")
    await expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    await page.close()


SERIOUS = {"serious", "critical"}


async def serious_violations(page: Page) -> list[str]:
    """What axe-core (bundled, run in the page) finds serious or critical on the page."""
    results = await Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


async def test_the_list_and_both_tabs_have_no_serious_accessibility_violations(
    system: System, gateway: httpx.AsyncClient, browser: Browser
) -> None:
    customer_id = await new_customer(gateway, system, f"Axe {uuid.uuid4().hex[:6]}")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, system)
    await expect(page.locator("#customers tbody tr").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "customers-list.png"), full_page=True)
    found = {"list": await serious_violations(page)}
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/summary")
    await expect(page.locator("#card-service-plan")).to_be_visible()
    found["summary"] = await serious_violations(page)
    await page.goto(f"{system.gateway_url}/#/customers/{customer_id}/sla?window=7d")
    await expect(page.locator(".switch")).to_be_visible()
    found["sla"] = await serious_violations(page)
    await page.close()
    assert found == {"list": [], "summary": [], "sla": []}
