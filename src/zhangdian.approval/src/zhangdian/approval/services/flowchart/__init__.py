"""The @flowchart endpoint: a matter's flowchart as SVG."""
