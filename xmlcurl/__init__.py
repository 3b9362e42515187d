"""mod_xml_curl adapter: FreeSWITCH POSTs a lookup, we answer directory / dialplan / configuration XML."""
from xmlcurl.views import bp

__all__ = ["bp"]
