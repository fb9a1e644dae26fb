/** An update link lets the holder open and update one location's return, and nothing else, for 72 hours. */
export const UPDATE_LINK_ISSUER = 'capacity-tracker/update-link';
export const UPDATE_LINK_AUDIENCE = 'capacity-tracker/returns';
export const UPDATE_LINK_HOURS = 72;
