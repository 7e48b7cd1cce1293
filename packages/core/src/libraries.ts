/**
 * The third-party libraries core checks values with, as most bundles load them: with this module.
 * On Node, package.json's `#libraries` import points at libraries-node.ts instead, which loads
 * each on first use.
 */
import { isValidPhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import { RE2JS } from 're2js';

const phoneNumberLibrary = { isValidPhoneNumber, parsePhoneNumberFromString };
const re2Library = { RE2JS };

export function phoneNumbers(): typeof phoneNumberLibrary {
  return phoneNumberLibrary;
}

export function re2(): typeof re2Library {
  return re2Library;
}
