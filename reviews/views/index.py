"""``/oppfolging/``: the way into the review pages — straight to the one a person has, or a
choice where they have several (an advisor for two municipalities); 404 for anyone with none."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from users.context_processors import Shell


@login_required
def review_index_view(request):
    reviews = Shell(request).reviews
    if not reviews:
        raise Http404
    if len(reviews) == 1:
        return redirect(reviews[0].url)
    return render(request, "reviews/index.html", {"reviews": reviews})
