/** The name every backend knows labgym's base image by (scripts/images/build-base.sh tags it). */
export const BASE_IMAGE = 'labgym/base:latest';
