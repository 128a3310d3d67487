"""Placeholder until this area's pages land (being written now)."""

from django.http import Http404


def overview_view(request, **kwargs):
    raise Http404


def import_view(request, **kwargs):
    raise Http404


def card_view(request, **kwargs):
    raise Http404


def enter_view(request, **kwargs):
    raise Http404


def submit_view(request, **kwargs):
    raise Http404


def reopen_view(request, **kwargs):
    raise Http404


def review_view(request, **kwargs):
    raise Http404
