/** The product name shown in the header and the page title. */
export const PRODUCT_NAME = 'Agent Projects'
