"""Route tables, one module per resource; ``app.create_app`` registers them all."""
