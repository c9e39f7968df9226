"""The portal API (`/api/v1`): authentication, composition and forwarding."""
