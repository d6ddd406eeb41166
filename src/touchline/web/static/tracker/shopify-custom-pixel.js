// The custom pixel's entry (Shopify admin > Settings > Customer events > Add custom pixel):
// Shopify runs the pasted code with its standard API as globals, and the line Touchline
// writes above this code sets ATRIBU_PIXEL_SETTINGS.

import { startPixel } from "./shopify-pixel.js";

startPixel({ analytics, browser, init }, ATRIBU_PIXEL_SETTINGS);
