/** The image tests run in: the base image built by scripts/images/build-base.sh (scripts/test.sh builds it first). */
export const TEST_IMAGE = process.env.LABGYM_TEST_IMAGE ?? 'labgym/base:latest';
