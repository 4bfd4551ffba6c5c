"""The Qt desktop interface. It talks to the core only through `app` services."""
