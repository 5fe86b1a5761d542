import type { Metadata } from 'next';
import { AdminUsers } from '@/components/account/AdminUsers.tsx';

export const metadata: Metadata = { title: 'Accounts' };

export default function AdminPage() {
  return <AdminUsers />;
}
