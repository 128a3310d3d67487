"""Placeholder: replaced by the county review's views."""

from django.http import Http404


def county_review_view(request, number):
    raise Http404


def county_export_view(request, number, fmt):
    raise Http404


def county_pdf_view(request, number):
    raise Http404
