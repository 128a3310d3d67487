"""Placeholder until this area's pages land (being written now)."""

from django.http import Http404


def indicator_list_view(request, **kwargs):
    raise Http404


def indicator_detail_view(request, **kwargs):
    raise Http404


def compare_view(request, **kwargs):
    raise Http404


def target_create_view(request, **kwargs):
    raise Http404


def target_edit_view(request, **kwargs):
    raise Http404


def table_view(request, **kwargs):
    raise Http404
