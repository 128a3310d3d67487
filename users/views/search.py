"""The pickers' search endpoint: suggestions as the user types (``static/js/combobox.js``).

``GET /tilgang/sok/<personer|kontorer|kommuner>/?for=<purpose>&q=<text>`` answers
``{"results": [{"value", "label", "description"}], "more": bool}``: at most 20 of the objects
the signed-in user may choose for that purpose (``users/pickers.py``), every word of ``q`` part
of a name or key. A purpose the user has no picker for answers 404, like a page they cannot use.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from users.pickers import URL_KINDS, picker_choices

MAX_QUERY_LENGTH = 100


@login_required
@require_GET
def search_view(request, kind: str):
    picker = URL_KINDS.get(kind)
    purpose = request.GET.get("for", "")
    choices = picker_choices(user=request.user, kind=picker, purpose=purpose) if picker else None
    if choices is None:
        raise Http404
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    results, more = picker.search(choices, query)
    return JsonResponse({"results": results, "more": more})
