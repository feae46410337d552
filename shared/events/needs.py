"""Events of needs and offers (点单/接单): stations post needs, organisations take them."""
