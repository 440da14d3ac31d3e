"""The operations web console: login, acknowledgement board, message, shipment, exceptions and
partners pages, served by `gateway run` under /console (see `gateway.console.app`)."""
