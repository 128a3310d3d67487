import json

from rest_framework.renderers import BaseRenderer


class PDFRenderer(BaseRenderer):
    """Lets clients ask for ``Accept: application/pdf`` on download endpoints.

    The file itself is streamed by a FileResponse and never passes through here; only error
    bodies (a 404, say) do, and those stay JSON.
    """

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()
