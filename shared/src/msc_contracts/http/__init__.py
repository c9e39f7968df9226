"""The HTTP contract (docs/CONTRACT.md section 3): the bodies and answers of every route, one
module per resource, imported by the service that answers and by the gateway that forwards."""
