"""Adapters that read and write other formats (SBML, FHIR, CSV, NONMEM-style event tables);
the core never imports them."""
