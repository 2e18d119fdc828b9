/** The versions the rehearsal upgrades between (seed 003: 3.3 -> 3.4). */
export const ARANGO_FROM = '3.3.23';
export const ARANGO_TO = '3.4.2';
