/** The deeprepo release version, printed by `deeprepo --version`. */
export const VERSION = "0.1.0";
