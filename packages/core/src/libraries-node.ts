/**
 * On Node the libraries core checks values with are loaded when first used, not with the package:
 * most processes (a server that only serves the widget and the API, every CLI command) never
 * check a phone number or compile an operator's pattern, and in the server's bundle they held
 * about half a MiB of an idle server's heap and source text. The first use pays their load:
 * 30–50 ms for the phone numbers, 10–15 ms for re2js.
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
