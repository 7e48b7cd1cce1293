/**
 * On Node the libraries core checks values with are loaded when first used, not with the package:
 * most processes (a server that only serves the widget and the API, every CLI command) never
 * check a phone number or compile an operator's pattern, and together they hold about 1 MiB of
 * an idle server's heap. The first use pays their load (tens of milliseconds).
 */
import { createRequire } from 'node:module';

interface PhoneNumberLibrary {
  isValidPhoneNumber: typeof import('libphonenumber-js').isValidPhoneNumber;
  parsePhoneNumberFromString: typeof import('libphonenumber-js').parsePhoneNumberFromString;
}

interface Re2Library {
  RE2JS: typeof import('re2js').RE2JS;
}

const require = createRequire(import.meta.url);
let phoneNumberLibrary: PhoneNumberLibrary | undefined;
let re2Library: Re2Library | undefined;

export function phoneNumbers(): PhoneNumberLibrary {
  phoneNumberLibrary ??= require('libphonenumber-js') as PhoneNumberLibrary;
  return phoneNumberLibrary;
}

export function re2(): Re2Library {
  re2Library ??= require('re2js') as Re2Library;
  return re2Library;
}
