"""The bundled flavours. Each is a package registering one ``Flavour`` via entry points."""
