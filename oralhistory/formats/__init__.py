"""Plain data into the formats others read: citations, Dublin Core and JSON-LD, OAI-PMH, CSV and text, OpenAPI, recording times (WebVTT, OHMS)."""
