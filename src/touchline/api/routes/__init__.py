"""One router per endpoint group; `touchline.api.app` includes them all."""
