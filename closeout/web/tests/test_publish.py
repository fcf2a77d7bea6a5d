"""The office publishes a confirmed plan on the public portal (信息公开) and takes it off."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.errors import InvalidInput, NotPermitted
from closeout.ledger.models import AuditEvent, Plan
from closeout.ledger.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _public_status(task) -> int:
    return Client().get(reverse("web:public_task", args=[task.pk])).status_code


def test_the_office_publishes_and_takes_off_a_plan_from_the_plan_list(client, world):
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    assert _public_status(world.own) == 404
    client.force_login(world.users["office"])
    url = reverse("web:plan_publish", args=[world.plan.pk])
    listing = client.get(reverse("web:plan_list")).content.decode()
    assert f'action="{url}"' in listing
    assert client.post(url, {"published": "1"}).status_code == 302
    assert Plan.objects.get(pk=world.plan.pk).published
    assert _public_status(world.own) == 200
    assert 'data-testid="published"' in client.get(reverse("web:plan_list")).content.decode()
    client.post(url, {"published": "0"})
    assert not Plan.objects.get(pk=world.plan.pk).published
    assert _public_status(world.own) == 404
    actions = list(
        AuditEvent.objects.filter(target_type="plan", target_id=world.plan.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["plan.publish", "plan.unpublish"]


def test_publishing_twice_records_it_once(world):
    office = world.actor("office")
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    services.plan_publish(office, world.plan.pk, published=True)
    services.plan_publish(office, world.plan.pk, published=True)
    assert AuditEvent.objects.filter(action="plan.publish").count() == 1


def test_a_draft_plan_is_not_published(world):
    draft = PlanFactory(status="draft")
    with pytest.raises(InvalidInput) as e:
        services.plan_publish(world.actor("office"), draft.pk, published=True)
    assert e.value.field == "published"
    assert not Plan.objects.get(pk=draft.pk).published


@pytest.mark.parametrize("role", ["leader", "unit_env", "supervisor"])
def test_only_the_office_publishes(world, client, role):
    with pytest.raises(NotPermitted):
        services.plan_publish(world.actor(role), world.plan.pk, published=False)
    client.force_login(world.users[role])
    response = client.post(reverse("web:plan_publish", args=[world.plan.pk]), {"published": "0"})
    assert response.status_code == 403
    assert Plan.objects.get(pk=world.plan.pk).published


def test_an_unknown_plan_is_404(world, client):
    client.force_login(world.users["office"])
    assert (
        client.post(reverse("web:plan_publish", args=[999999]), {"published": "1"}).status_code
        == 404
    )
