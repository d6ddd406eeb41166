"""The identity graph: customer profiles and identifiers in the control plane, mirrored to the
event plane's identity map so journeys are plain joins there."""
