/** The Code of Conduct a requester accepts; the version is recorded on every ticket. */
export const CODE_OF_CONDUCT = {
  version: '2026-11',
  title: 'Code of Conduct',
  points: [
    'Be honest: ask to recover only an account that is yours, and give true information.',
    'Be patient and courteous with the moderators, who are few and handle requests in order.',
    'Do not file the same request twice or ask others to push it forward; add information to your open request instead.',
    'Do not post private information, e-mails or tokens in public places about your request.',
    'Attempts to take over accounts that are not yours are reported and can lead to a permanent ban.',
  ],
} as const;
