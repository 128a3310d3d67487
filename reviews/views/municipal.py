"""Placeholder: replaced by the municipal review's views."""

from django.http import Http404


def municipal_review_view(request, number):
    raise Http404


def municipal_export_view(request, number, fmt):
    raise Http404


def municipal_pdf_view(request, number):
    raise Http404
