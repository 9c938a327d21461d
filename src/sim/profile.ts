/**
 * The two behaviour profiles. `c` reproduces the C reference, quirks included, so that images match
 * images users already made with it; `spec` applies the corrections of the written specification.
 * Every difference between the two lives in this table (documented in docs/profiles.md); code asks
 * the table, it never tests the profile name.
 */

export type ProfileName = "c" | "spec";

export interface ProfileRules {
  name: ProfileName;
  /** A phi step with phi == 0 reuses the previous step's rotated cell instead of the unrotated one. */
  stalePhiRotation: boolean;
  /** -pix0_vector / -pix0_vector_mm only select the CUSTOM convention; their numbers are ignored. */
  pix0VectorIgnored: boolean;
  /** -twotheta_axis x y z also acts as -twotheta x (the C matches flags by substring). */
  twothetaAxisSetsTwotheta: boolean;
  /** MOSFLM/DENZO/ADXV force the BEAM pivot and XDS/DIALS the SAMPLE pivot after all flags. */
  conventionForcesPivot: boolean;
  /** Value of F_cell when the tricubic neighbourhood leaves the HKL grid (interpolation then stops). */
  interpolationFallback: "nearest" | "default_F";
  /** Sensor layer thickness: thick/(n-1) (thick/2 when only the thickness is given) or thick/n. */
  thicknessStepOverCountMinusOne: boolean;
  /** The wavelength column of -sourcefile is used per source (else -lambda applies to all). */
  sourceFileWavelength: boolean;
  /** -curved_det is ignored when it is the last argument. */
  curvedDetNeedsFollowingToken: boolean;
  /** Divergence given only as a step count: step = 1 rad / count (else 1 rad / (count - 1)). */
  divergenceCountOnlyStepOverCount: boolean;
  /** -oversample_polar recomputes polarization even under -nopolar. */
  oversamplePolarOverridesNopolar: boolean;
  /** -oversample_thick without a sensor thickness multiplies by a capture fraction of 0. */
  oversampleThickWithoutThicknessBlanks: boolean;
  /** A sensor thickness with an attenuation of 0 or inf captures nothing (instead of everything). */
  zeroAttenuationBlanks: boolean;
  /** HKL files may hold '#' comment lines and extra columns (phase, sigma) after h k l F. */
  hklCommentsAndExtraColumns: boolean;
  /** -misset random without -misset_seed draws from the time (else from the -seed value). */
  missetSeedFromTime: boolean;
  /** The float, int, PGM and noise images are written under default names unless switched off. */
  writesDefaultOutputs: boolean;
  /** Masked pixels inside the ROI get the ADC offset (and a noise draw) in the integer images. */
  maskedPixelsGetAdcOffset: boolean;
  /** -img/-mask header keys match as substrings, last occurrence first (DISTANCE finds CLOSE_DISTANCE). */
  headerKeysBySubstring: boolean;
  /** The TWOTHETA of an -img/-mask header is read but not used. */
  headerTwothetaIgnored: boolean;
  /** The -mask header is read before the -img header, whatever their order on the command line. */
  maskHeaderReadFirst: boolean;
}

export const PROFILES: Record<ProfileName, ProfileRules> = {
  c: {
    name: "c",
    stalePhiRotation: true,
    pix0VectorIgnored: true,
    twothetaAxisSetsTwotheta: true,
    conventionForcesPivot: true,
    interpolationFallback: "nearest",
    thicknessStepOverCountMinusOne: true,
    sourceFileWavelength: true,
    curvedDetNeedsFollowingToken: true,
    divergenceCountOnlyStepOverCount: true,
    oversamplePolarOverridesNopolar: true,
    oversampleThickWithoutThicknessBlanks: true,
    zeroAttenuationBlanks: true,
    hklCommentsAndExtraColumns: false,
    missetSeedFromTime: true,
    writesDefaultOutputs: true,
    maskedPixelsGetAdcOffset: true,
    headerKeysBySubstring: true,
    headerTwothetaIgnored: true,
    maskHeaderReadFirst: true,
  },
  spec: {
    name: "spec",
    stalePhiRotation: false,
    pix0VectorIgnored: false,
    twothetaAxisSetsTwotheta: false,
    conventionForcesPivot: false,
    interpolationFallback: "default_F",
    thicknessStepOverCountMinusOne: false,
    sourceFileWavelength: false,
    curvedDetNeedsFollowingToken: false,
    divergenceCountOnlyStepOverCount: false,
    oversamplePolarOverridesNopolar: false,
    oversampleThickWithoutThicknessBlanks: false,
    zeroAttenuationBlanks: false,
    hklCommentsAndExtraColumns: true,
    missetSeedFromTime: false,
    writesDefaultOutputs: false,
    maskedPixelsGetAdcOffset: false,
    headerKeysBySubstring: false,
    headerTwothetaIgnored: false,
    maskHeaderReadFirst: false,
  },
};
