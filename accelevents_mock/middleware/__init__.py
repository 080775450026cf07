"""The ASGI layers a request passes through, one module each. `accelevents_mock.app` declares
them, in order, in one list."""
