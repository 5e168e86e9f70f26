"""Documents the bureau produces or reads: decisions (PDF), flowcharts (SVG), matter lists."""
