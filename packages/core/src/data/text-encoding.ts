/** The encodings a CSV is read in: UTF-8 (validated) or Latin-1 (every byte is a character). */
export type TextEncoding = 'utf8' | 'latin1'
