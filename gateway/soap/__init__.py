"""The ERP's SOAP 1.1 service: checked-in WSDL + XSD, a dispatcher over lxml (`server`), and
the operations (`operations`): release/change/cancel orders, shipment and ack status."""
