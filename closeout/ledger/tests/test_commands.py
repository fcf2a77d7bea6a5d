"""The small account commands: adduser and token."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from closeout.ledger import services
from closeout.ledger.models import Profile, Role


def test_adduser_creates_a_unit_user_found_by_a_former_name(world, capsys):
    call_command("adduser", "env2", "--role", "unit", "--unit", "市环保局", "--password", "pw")
    profile = Profile.objects.get(user__username="env2")
    assert profile.role == Role.UNIT and profile.unit == world.env
    assert "env2" in capsys.readouterr().out


def test_adduser_refuses_an_unknown_unit_and_a_unit_role_without_unit(world):
    with pytest.raises(CommandError, match="no unit"):
        call_command("adduser", "x", "--role", "unit", "--unit", "市不存在局", "--password", "pw")
    with translation.override("en"), pytest.raises(CommandError, match="belong to a unit"):
        call_command("adduser", "y", "--role", "supervisor", "--password", "pw")
    assert not Profile.objects.filter(user__username__in=["x", "y"]).exists()


def test_token_prints_a_key_that_authenticates(world, capsys):
    call_command("token", "unit_env")
    key = capsys.readouterr().out.strip()
    assert services.token_authenticate(key) == world.users["unit_env"]


def test_token_for_an_unknown_user_fails_clearly(world):
    with pytest.raises(CommandError, match="no user"):
        call_command("token", "nobody")
