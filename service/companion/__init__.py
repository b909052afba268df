"""The attendee companion: a web app served from the package, for phones, that works offline."""
