// A named JSON import: the bundler inlines just this field.
import { version } from "../package.json";

export const APP_VERSION: string = version;
