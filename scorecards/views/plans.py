"""Placeholder until this area's pages land (being written now)."""

from django.http import Http404


def plan_list_view(request, **kwargs):
    raise Http404


def plan_create_view(request, **kwargs):
    raise Http404


def plan_detail_view(request, **kwargs):
    raise Http404


def action_add_view(request, **kwargs):
    raise Http404


def action_edit_view(request, **kwargs):
    raise Http404


def follow_up_view(request, **kwargs):
    raise Http404


def plan_close_view(request, **kwargs):
    raise Http404
