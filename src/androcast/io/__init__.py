"""Adapters that read and write other formats (SBML, FHIR, CSV); the core never imports them."""
